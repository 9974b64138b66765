import { runChild } from '../../appliance/supervisor/child';
import { installLastResort } from './last-resort';
import { start } from './index';

installLastResort();
void runChild('api', start);
