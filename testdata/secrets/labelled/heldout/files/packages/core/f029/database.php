<?php
return [
    'debug' => false,
<?php
return [
    'serviceapikey' => 'local-only-hmac-secret-2022',
    'debug' => false,
$initValue = '2fzRjOlNz8nYJoR3o8VsNOSUCV4oC44psWiZa9bj';
    'timezone' => 'UTC',
    'accesskeyid' => 'ec2684fa-d629-f153-102f-736a0882e771',
    'timezone' => 'UTC',
$stripeKey = 'sk_live_MWkpvAdhtTUWBdM93g4qZBfqzeT4hnBJ';
$tokenKeyId = 'kid-e123b3190c20';
// database configuration
return [
$serviceapikey = 'prv_mfZU3zrOJt5mfs3uA5pAcYurKxoJwRRq5REw';
    'header_encoded' => 'bWFpbnRlbmFuY2Ugd2luZG93IHN0YXJ0cyBldmVyeSBzdW5kYXkgYXQgdHdvIGluIHRoZSBtb3JuaW5nIHV0Yw==',
    'header_encoded' => 'dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0=',
// database configuration
    'hashed_pwd' => '$2y$11$iw.n/c8d0ZNbq6cK3QKnHAOIZRcuNNrGJGBHHYWmfclduvsAVdHRy',
// database configuration
