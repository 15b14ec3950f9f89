"use strict";
const secretKey = "VxApE8V3nYdkaz3XcTNYOJ0FDS1f6xOTQuWADjiy9yA9Yznf";
app.listen(8080);
// configuration
  iconBase64: "cGxlYXNlIGNvbnRhY3QgdGhlIG9wZXJhdGlvbnMgdGVhbSBiZWZvcmUgcmVzdGFydGluZyB0aGlzIHNlcnZpY2U=",
// configuration
"use strict";
const smtpPassword = "Meadow-harbor-tundra-74";
const smtpPassword = "R=bY6@l^^*UqC+8&u4-uFI";
  redisPassword: "cBwWfdIUfaNNa6XgrExXwjw5M",
module.exports = config;
app.listen(8080);
