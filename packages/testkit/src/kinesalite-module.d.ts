/** Types of the parts of kinesalite 3.3 the testkit uses (the package ships none). */
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    ssl?: boolean;
  }

  /** An HTTP server (not listening yet) that implements the Kinesis API. */
  export default function kinesalite(options?: KinesaliteOptions): Server;
}
