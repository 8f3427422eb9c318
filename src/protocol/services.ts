/** A service as `capsule list` shows it. The services issue fills in state, health and resources. */
export interface ServiceSummary {
  name: string;
  command: string[] | string;
}
