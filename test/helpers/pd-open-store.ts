// A test's own store over an appliance's database that opens sealed personal
// fields like the services do (issue 15): CDR parties read back as the
// numbers the test dialled. The keys are those of the database's data
// directory, read on the first sealed value.
import { openStore as openPlainStore, type Store, type StoreOptions } from '../../services/store';
import { usePdFields } from '../../services/pd-store';

export function openStore(file: string, opts: StoreOptions = {}): Store {
  const store = openPlainStore(file, opts);
  usePdFields(store, { masterKeyPath: opts.masterKeyPath });
  return store;
}
