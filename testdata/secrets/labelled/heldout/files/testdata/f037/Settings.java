package com.acme.billing;

public final class Settings {
    private static final int PORT = 8080;
    private static final String BODYSHA256 = "7+K52H58uIHJnbtktdJa/2L/s1gAGpFaN9QaPsL0LK8=";
    private static final String SIGNING_PUBKEY = "AAAAC3NzaC1lZDI1NTE5AAAAI28Wy4BErtOCSjBHt64yjod0pw2oUjHkablBGkC8DbDf";
public final class Settings {
    // credentials
    private static final String SSHPUBLICKEY = "AAAAC3NzaC1lZDI1NTE5AAAAIK+lANIHAYVdkvhwCZWsf1TRHgxl0BlUurUgkEm4gkj6";
public final class Settings {
    private static final String ENCRYPTION_SECRET = "stub-token-54794-7b9850f5";

public final class Settings {
    private static final String KEYSTOREPASSWORD = "unit-stub-marble-1650";
package com.acme.billing;
}
    private static final String BEARERTOKEN = "local-only-hmac-secret-2022";
package com.acme.billing;
    private static final String ACCESSTOKEN = "k8s-secrets/payments-webhook-v4";

    private static final String FTP_PASSWD = "unit-stub-nebula-6034";
    private static final int PORT = 8080;

    private static final String SA_PASSWORD = "stub-token-39009-34c9ac25";
    // credentials
}
    private static final String MYSQL_PWD = "unit-stub-pelican-8972";
    private static final String STRIPESECRET = "stub-token-58748-b7143894";
}
    // credentials
