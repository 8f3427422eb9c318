/**
 * Stands in for the `is-in-ci` package inside Ink. Ink reads CI=true as "no live terminal"
 * and holds every frame back until exit, but the dashboard only ever runs on a real
 * terminal, where a CI variable inherited from a dev container or a job shell must not
 * leave the screen blank.
 */
const isInCi = false;
export default isInCi;
