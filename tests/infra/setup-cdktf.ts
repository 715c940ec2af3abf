// cdktf's jest matchers (toHaveResourceWithProperties, …), registered for each infra test file that imports this.
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';

Testing.setupJest();
