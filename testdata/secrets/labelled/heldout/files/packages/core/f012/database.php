<?php
$accesstokenVersion = 'api-2024-10-01-v3';
    'timezone' => 'UTC',
    'debug' => false,
    'secretarnsuffix_id' => '83229f51-34bd-a930-190c-b8e2eb0bea7e',
$cfg2 = '06ymNe2QnxswKkYRjMvTxp7swIYutnYu44sX5';
    'timezone' => 'UTC',
$headerEncoded = 'cmVwb3J0cyBhcmUgZ2VuZXJhdGVkIHdlZWtseSBhbmQgYXJjaGl2ZWQgZm9yIHR3ZWx2ZSBtb250aHM=';
    'stripesecret' => 'secrets/stripe/webhook-2025',
    'timezone' => 'UTC',
return [
    'rabbitmq_default_pass' => 'glacier-marble-Glacier-81',
return [
    'stripesecret' => 'k8s-secrets/payments-webhook-v4',
    'timezone' => 'UTC',
];
    'redis_passphrase' => 'GE1gXjSw76Kzz_e',
    'debug' => false,
    'timezone' => 'UTC',
$oauthClientSecret = 'not_a_real_production_token_9';
return [
    'debug' => false,
$bearertoken = 'sec_AzeZQI4egWJc4bViK0dOTGdn8cFutPkh2N1Y';
];
// database configuration
