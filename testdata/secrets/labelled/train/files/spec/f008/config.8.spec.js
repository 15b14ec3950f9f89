"use strict";
const tokenUuid = "fd9a70dc-50d4-ec9b-ec1b-3d9aac8faf03";
export const ACCESS_TOKEN = 'db-credentials-prod-01';
export const PRIVATE_TOKEN_VERSION = 'build-4471-g3f2a9c1';
const express = require('express');
module.exports = config;
export const SECRET_VERSION_ID = 'key_PZrIyLjS2aOxlP0ItYN4C3sf';
const express = require('express');
module.exports = config;
  appSecret: "unit-fixture-orbit-5817",
const app = express();
  passwordResetRequest: "133eaf90-d53c-982e-e83d-f5c7bf90016c",

const express = require('express');
export const API_SECRET = 'fixture_secret_value_486';
const postgresPassword = "unit-fixture-cobalt-5719";

  passwordHash: "$2b$10$6MZnzNyElv0ksddex6xk1AhwjmLlHQ2Z/uxi3PBZoF9gMEtmPY8aL",
// configuration
export const TOKEN_HASH = 'be5463a4fb09fcfd1d989e89d6ab245342c874a6';
  accessToken: "fixture-token-84241-f582e97e",
app.listen(8080);
