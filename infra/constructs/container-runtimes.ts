// What each pinned third-party image needs at run time to start with a read-only root filesystem: the
// user it runs as and the paths it writes to. Read off the images' own sources at the pinned tags
// (infra/config.ts `registryImage`, `metabaseImage`); change these together with a tag.

export interface ContainerRuntime {
  /** Numeric `uid[:gid]` for the container definition's `user` (never root). */
  readonly user: string;
  /** Absolute paths the process writes to; each becomes a task-local volume. */
  readonly writablePaths: readonly string[];
}

/**
 * metabase/metabase:v0.64.2.2, entrypoint /app/run_metabase.sh
 * (https://github.com/metabase/metabase/blob/v0.64.2.2/bin/docker/run_metabase.sh).
 * Started as root (the image has no USER), the script runs addgroup/adduser (/etc/group, /etc/passwd),
 * `mkdir /metabase.db` for H2 and `chmod o+r /app/metabase.jar` before `su metabase`: all writes to the
 * root filesystem, and `su` fails once adduser could not write
 * (https://github.com/python-discord/kubernetes/issues/85). Started as a non-root uid, the same script
 * only `exec`s java (the branch since https://github.com/metabase/metabase/pull/13214), so the task runs
 * it as 2000:2000, the uid:gid the script would have created. Java then writes:
 * - /plugins: MB_PLUGINS_DIR, where Metabase extracts its bundled drivers at start (the Dockerfile
 *   creates it `chmod a+rwx`, https://github.com/metabase/metabase/blob/v0.64.2.2/Dockerfile);
 * - /tmp: java.io.tmpdir, e.g. subscription attachments
 *   (https://github.com/metabase/metabase/issues/26426).
 * Logs go to the console only (resources/log4j2.xml has no file appender).
 */
export const METABASE_RUNTIME: ContainerRuntime = {
  user: '2000:2000',
  writablePaths: ['/tmp', '/plugins'],
};

/**
 * apicurio/apicurio-registry:3.3.x, distro/docker/src/main/docker/Dockerfile.jvm
 * (https://github.com/Apicurio/apicurio-registry/blob/3.3.1/distro/docker/src/main/docker/Dockerfile.jvm):
 * ubi openjdk-21-runtime running as `USER 1001`. Quarkus/Vert.x creates its file cache under
 * java.io.tmpdir (/tmp/vertx-cache) and fails to start without it
 * (https://github.com/quarkusio/quarkus/issues/40531); the registry's snapshot and import work
 * directories default to java.io.tmpdir too (app/src/main/resources/application.properties).
 */
export const APICURIO_RUNTIME: ContainerRuntime = {
  user: '1001',
  writablePaths: ['/tmp'],
};
