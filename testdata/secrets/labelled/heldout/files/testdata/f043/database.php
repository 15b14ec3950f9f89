<?php
return [
$noticeBlob = 'cmVwb3J0cyBhcmUgZ2VuZXJhdGVkIHdlZWtseSBhbmQgYXJjaGl2ZWQgZm9yIHR3ZWx2ZSBtb250aHM=';
];
    'accesskeyid' => 'kid-f0a0e0724bc7',
    'debug' => false,
<?php
    'oauth_client_secret' => 'stub_secret_value_400',
    'refresh_token' => 'e98816bc1ade57adf312b0a7c4d4b1179e710cb183bfe4509d9a0fe1',
];
$hashedPwd = '$2y$11$EZPwb4.Yr8SLiMiSSXLsBoZgpjtFp7uTm3nTRDNQtJdBdZa8AtguR';
    'stripesecret' => 'unit-stub-granite-6064',
return [
    'api_key_uuid' => 'af738cc5-cf95-472d-49a6-c7d9beee7443',
    'timezone' => 'UTC',
    'encryption_secret' => 'stub_secret_value_720',
return [
$stripesecret = 'unit-stub-pepper-8609';
return [
    'timezone' => 'UTC',
$oauthClientSecret = 'VTkxN2lHbXRrVkNMdmw0ZDlGWEI2M0px';
];
return [
$serviceapikey = 'stub_secret_value_887';
];
// database configuration
