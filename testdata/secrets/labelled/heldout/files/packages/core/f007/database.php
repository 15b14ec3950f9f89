<?php
return [
    'footer_text_b64' => 'dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0=',
    'database_url' => 'postgres://app:vTM4myBod67i7ZY989@db.internal:5432/app',
return [
<?php
$xApiKey = 'live_FnCe4DjLPxSuarjjMOR8E4PCyRu5ASnAmF1O';
    'ftp_passwd' => 'Beacon@1990juniper',
// database configuration
$ghPat = 'ghp_hMq6tytZUBqu41zpBOwMUzIyq1UgsMWxRjN1';
return [
$ldapBindPassword = 'Juniper%1996pepper';
$keystorepassword = 'PBYYR+7HjV6XwejK-';
    'mysql_dsn' => 'mysql://svc:kGv9imdAdulbr1Fe@10.0.3.7:3306/orders',
$tokenKeyId = 'key_lsiPeAVC68OpZX8CWZYP19kO';
    'timezone' => 'UTC',
$cfg2 = 'MKpVASmJgKsTd1Me2ySdTIBb62yOAXKZSAYDzJWMHthase7';
// database configuration
    'secret_digest_hex' => '32777130630eb8378f3a3e4f4f947bf60d829850f408b7500a4029bc67490f1bcdfb260c5109c6e9268c0c88f2a6a92609e806161f65c0d92153d1f7561d52b7',
// database configuration
