// All node-fetch 2 takes from whatwg-url, served from Node itself (bin/crate.js says why).
/* global module */
module.exports = { URL: globalThis.URL };
