import { runChild } from '../../appliance/supervisor/child';
import { start } from './service';

void runChild('call-control', start);
