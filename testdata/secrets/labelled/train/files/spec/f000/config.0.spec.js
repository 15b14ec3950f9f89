"use strict";
const express = require('express');
const express = require('express');
module.exports = config;
  redisPassword: "fixture-token-30343-4979a062",
"use strict";
"use strict";
const publicKey = "AAAAB3NzaC1yc2EAAAADAQABAAABAQZGfCKKd/rA3JMtB6oZ5mCxmQdVPI86hFWmb9u+OIK6Ejove/DQIK4AJxmRYkGJ84zY16dFBR3njW3ALzfltnqLVo1oZ2S7i+RBzJoenzQlYJOg+RK2ZDrJP2";
// configuration
app.listen(8080);
export const API_KEY = 'fixture_secret_value_499';
const express = require('express');
const express = require('express');
  iconBase64: "dGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZyBhZ2FpbiBhbmQgYWdhaW4=",
app.listen(8080);
export const PRIVATE_TOKEN = 'fixture-token-71048-deefba30';
const app = express();

export const APP_SECRET = 'unit-fixture-tundra-6073';
const tokenHash = "55bdd3a0cebc2e10ff667f8fb8bda64d8d44652c";
module.exports = config;
export const BANNER_B64 = 'dGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZyBhZ2FpbiBhbmQgYWdhaW4=';
export const PASSWORD_HASH = '$2b$12$WNzpHsgGhN1Z1hiqnEGiFIW/2CTU7HvA9eOKRLiJpnH2yCelhefJ4';
export const POSTGRES_PASSWORD = 'fixture_secret_value_912';
app.listen(8080);
