"use strict";
const express = require('express');
const app = express();
// configuration
"use strict";
export const CONN = 'QZjNsm3PwtKX9pPdsZUW1zgC1hMbH0en';
app.listen(8080);
app.listen(8080);
const deployKeyPub = "AAAAC3NzaC1lZDI1NTE5AAAAIfT40bIBGSNe3mmgaolQi+FH+bIYRfnw52crNjJxf/cV";
// configuration
"use strict";
export const SECRET_KEY_VERSION = 'v2-20240601-beta3';
export const JWT_SECRET_VERSION = 'build-4471-g3f2a9c1';
app.listen(8080);
  gitlabToken: "glpat-6Zz2XhSKI1y3RRJZUVwB",
module.exports = config;
app.listen(8080);
