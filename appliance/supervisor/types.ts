// The supervisor's status file is the contract between it and the services
// (the api shows it): its types live with the rest of that contract.
export type { ProcessState, SupervisorProcess, SupervisorStatus } from '../../services/common/service';
