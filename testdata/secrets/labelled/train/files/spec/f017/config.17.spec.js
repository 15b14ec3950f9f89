"use strict";
const express = require('express');
module.exports = config;
  secretKey: "unit-fixture-cobalt-4378",
const express = require('express');
const app = express();
  sessionSecret: "fixture-token-41944-69deefa7",
  appSecret: "unit-fixture-harbor-5525",
const express = require('express');
module.exports = config;
export const TOKEN_ID = '8AC03E14-E28F-6893-F309-72F86BCFF290';
export const SESSION_SECRET = 'fixture-token-90804-46a1df79';
app.listen(8080);
