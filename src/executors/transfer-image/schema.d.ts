export interface TransferImageExecutorSchema {
  /** Image types of this project (`base`) or image references; one or several. */
  image: string | string[];
  /** Destination: Docker context name, `ssh://user@host[:port]`, `user@host`, `tcp://…`, `unix://…`. */
  to: string;
  /** Send every layer, no diff against the destination. */
  full?: boolean;
  /** `auto` (default): gzip only when a network lies between the engines. */
  compress?: 'auto' | 'gzip' | 'none';
  /** Print the plan and send nothing. */
  dryRun?: boolean;
}
