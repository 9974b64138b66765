import { runChild } from '../../appliance/supervisor/child';
import { start } from './index';

void runChild('mail', start);
