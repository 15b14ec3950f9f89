package com.acme.billing;

public final class Settings {
    private static final String FOOTER_TEXT_B64 = "bWFpbnRlbmFuY2Ugd2luZG93IHN0YXJ0cyBldmVyeSBzdW5kYXkgYXQgdHdvIGluIHRoZSBtb3JuaW5nIHV0Yw==";

    // credentials
    private static final String REFRESH_TOKEN = "prod-db-creds-rotated-02";
    private static final String AUTHORIZED_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIqv0a++ouX4BkFhB5/GD+SDTAWMyJ9ZdCUv4lXugvrha";
    private static final String RABBITMQ_DEFAULT_PASS = "stub_secret_value_922";
    private static final String BEARERTOKEN = "stub-token-57962-02cc69e8";
package com.acme.billing;
    private static final String ACCESSTOKEN = "prod-db-creds-rotated-02";
    // credentials
