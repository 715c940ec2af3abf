// The Fargate tasks start the pinned images on a read-only root filesystem: every path the image
// writes to (infra/constructs/container-runtimes.ts, read off the images' sources) is a task volume the
// non-root app user can write, and nothing else is writable.
import './setup-cdktf';
import {
  APICURIO_RUNTIME,
  METABASE_RUNTIME,
  type ContainerRuntime,
} from '../../infra/constructs/container-runtimes';
import { VOLUME_PERMISSIONS_CONTAINER } from '../../infra/constructs/fargate-service';
import { resourcesOf, synthTransport, type Synthesized } from './synth-support';

interface MountPoint {
  sourceVolume: string;
  containerPath: string;
  readOnly: boolean;
}
interface ContainerDefinition {
  name: string;
  image: string;
  essential: boolean;
  user?: string;
  readonlyRootFilesystem: boolean;
  entryPoint?: string[];
  command?: string[];
  mountPoints: MountPoint[];
  dependsOn?: { containerName: string; condition: string }[];
  environment?: { name: string; value: string }[];
}

let stack: Synthesized;

beforeAll(() => {
  stack = synthTransport('both');
});

function taskOf(family: string) {
  const task = Object.values(resourcesOf(stack.doc, 'aws_ecs_task_definition')).find(
    (t) => t.family === family,
  );
  if (task === undefined) throw new Error(`no task definition ${family}`);
  return {
    volumes:
      (task.volume as { name: string; host_path?: string; efs_volume_configuration?: unknown }[]) ?? [],
    containers: JSON.parse(String(task.container_definitions)) as ContainerDefinition[],
  };
}

/** What `chmod <mode> <paths>` grants a user that is neither owner nor group: may it create files? */
function othersMayWrite(command: string, path: string): boolean {
  const m = /^chmod ([0-7]{3,4}) (.+)$/.exec(command);
  if (m === null) return false;
  const mode = parseInt(m[1]!, 8);
  // write and search for others: 0o002 and 0o001
  return m[2]!.split(' ').includes(path) && (mode & 0o003) === 0o003;
}

describe.each([
  ['streamsoft-dev-metabase', 'metabase', METABASE_RUNTIME],
  ['streamsoft-dev-registry', 'registry', APICURIO_RUNTIME],
] as [string, string, ContainerRuntime][])('%s', (family, service, runtime) => {
  test('the app runs as the image runtime user, not root, with a read-only root filesystem', () => {
    const app = taskOf(family).containers.find((c) => c.name === service)!;
    expect(app.readonlyRootFilesystem).toBe(true);
    expect(app.user).toBe(runtime.user);
    expect(app.user).not.toMatch(/^(0|root)(:|$)/);
  });

  test('every path the image writes to is mounted read-write from a non-persistent task volume', () => {
    const { volumes, containers } = taskOf(family);
    const app = containers.find((c) => c.name === service)!;
    expect(app.mountPoints.map((m) => m.containerPath).sort()).toEqual([...runtime.writablePaths].sort());
    const volumeNames = volumes.map((v) => v.name);
    for (const mount of app.mountPoints) {
      expect(mount.readOnly).toBe(false);
      expect(volumeNames).toContain(mount.sourceVolume);
    }
    // Fargate takes only plain bind mounts (no host path) or EFS; these are scratch, so plain.
    for (const v of volumes) {
      expect(v.host_path).toBeUndefined();
      expect(v.efs_volume_configuration).toBeUndefined();
    }
    expect(new Set(app.mountPoints.map((m) => m.sourceVolume)).size).toBe(app.mountPoints.length);
  });

  test('a root container of the same image makes every volume writable for the app before it starts', () => {
    const { containers } = taskOf(family);
    const app = containers.find((c) => c.name === service)!;
    const prep = containers.find((c) => c.name === VOLUME_PERMISSIONS_CONTAINER)!;
    expect(prep.image).toBe(app.image);
    expect(prep.essential).toBe(false);
    expect(prep.readonlyRootFilesystem).toBe(true);
    expect(prep.entryPoint).toEqual(['/bin/sh', '-c']);
    expect(prep.mountPoints).toEqual(app.mountPoints);
    for (const path of runtime.writablePaths) {
      expect(othersMayWrite(prep.command!.join(' '), path)).toBe(true);
    }
    expect(app.dependsOn).toEqual([{ containerName: VOLUME_PERMISSIONS_CONTAINER, condition: 'SUCCESS' }]);
    expect(containers).toHaveLength(2);
  });
});

test("Metabase's plugins directory is one of its writable paths", () => {
  const app = taskOf('streamsoft-dev-metabase').containers.find((c) => c.name === 'metabase')!;
  const plugins = app.environment!.find((e) => e.name === 'MB_PLUGINS_DIR')!.value;
  expect(METABASE_RUNTIME.writablePaths).toContain(plugins);
  // java.io.tmpdir of both JVMs is the JDK default, /tmp (no JAVA_OPTS override in the task)
  expect(METABASE_RUNTIME.writablePaths).toContain('/tmp');
  expect(APICURIO_RUNTIME.writablePaths).toContain('/tmp');
  expect(app.environment!.map((e) => e.name)).not.toContain('JAVA_OPTS');
});
