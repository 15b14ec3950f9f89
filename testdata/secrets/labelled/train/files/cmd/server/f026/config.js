"use strict";
const express = require('express');
const app = express();
const app = express();
"use strict";
  tokenId: "tok_vx9sEm0RtNhzpH7oSREzkw7b",
export const CFG_VALUE = 'c32LxOI9TXu9s8Wkkak+ybUia0+wy2A9ymByNZ9S';
  privateToken: "db-credentials-prod-01",
const app = express();
// configuration
  secretKey: "oC1MbM3CyEzV+YYUEomj05xgMY4MYRz9zxRHzUfbYlckVWwAAd1bwbM9ZH+EFjWg",
export const API_SECRET = 'db-credentials-prod-01';
app.listen(8080);
