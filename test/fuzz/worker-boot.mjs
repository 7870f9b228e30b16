// Worker threads do not inherit tsx's loader: register it here, then load the fuzzer's worker.
import { register } from 'tsx/esm/api';

register();
await import('./run.ts');
