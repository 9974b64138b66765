/* global module */
// Stand-in for the npm `config` package that drachtio-srf's test programs
// read their connection settings from (`config.get('drachtio-sut')`). The
// harness passes the settings of the sip-core under test as JSON.
const settings = JSON.parse(process.env.SRF_HARNESS_CONFIG || '{}');
module.exports = {
  get(key) {
    if (!(key in settings)) throw new Error(`config: no setting ${key}`);
    return settings[key];
  },
  has: (key) => key in settings,
};
