import { runChild } from '../../appliance/supervisor/child';
import { start } from './index';

await runChild('sip-core', start);
