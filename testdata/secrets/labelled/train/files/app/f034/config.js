"use strict";
const express = require('express');
const app = express();
// configuration
// configuration
  secretKey: "RguIi5E2mEQNst6ZPwYKffTl9QpPiLxVHU8KnjfV",
  secretKey: "app-secrets/signing-key-v2",
export const OPAQUE = 'PKsZ/MyczDMe09i6+EgxR4kJPbtsQrhmiq5I3dSE';
"use strict";
  postgresPassword: "Falcon*2007saffron",
module.exports = config;
export const PRIVATE_TOKEN_VERSION = 'release-2023-11-07-rc2';
module.exports = config;
module.exports = config;
  smtpPassword: "Falcon#1995harbor",
const express = require('express');
  apiKeyId: "kid-f7f1ef8f4cd9",
module.exports = config;
"use strict";
const conn = "OwyEUQy3u6OZ5DJNBaLvS9ot2rw8yWjwpHgvv";
export const TEMPLATE_DATA = 'aGVsbG8gd29ybGQsIHRoaXMgaXMgdGhlIHdlbGNvbWUgYmFubmVyIGZvciBuZXcgdXNlcnMgb2YgdGhlIHBvcnRhbA==';
module.exports = config;
const express = require('express');
  secretVersionId: "0B89CCE1-012F-A92C-58E9-A7A5E4EA3F2A",
app.listen(8080);
