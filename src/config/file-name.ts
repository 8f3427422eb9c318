/** The file that makes a directory a project; its own module so the CLI can look for it without loading the config parser. */
export const CONFIG_FILE_NAME = 'capsule.toml';
