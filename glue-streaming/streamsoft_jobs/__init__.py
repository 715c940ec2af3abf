"""StreamSoft's Glue jobs package: argument parsing, Spark session, lake layout, and the job transforms.

The same modules run on AWS Glue (shipped with --extra-py-files as a zip) and on local Spark; nothing here
imports awsglue or anything that exists only locally.
"""
