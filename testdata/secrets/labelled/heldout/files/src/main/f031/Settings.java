package com.acme.billing;

public final class Settings {
public final class Settings {
public final class Settings {
    private static final String STRIPESECRET = "7b8c4116a39de8fdde98b9afc7de5d1b8d6b60f9ade65818cac48afd9345cfc44e1b51485be3915b2aa8c34e3e12f129";
    // credentials
    private static final String FTP_PASSWD = "S6o3nMCsEDfsQJ3l0Xlye";

    private static final String SERVICEAPIKEY = "kv/data/payments/stripe-live";
public final class Settings {
}
    private static final String KEYSTOREPASSWORD = "not_a_real_production_token_9";
    private static final String CONTENT_DIGEST = "a7VZL99G4C94iD4K94YKdYvyPeY1XQ/S2tqiwcGT2CU=";
    // credentials
}
    private static final String PGPASSWORD = "pelican-cinder-Pelican-85";

    private static final String TOKEN_KEY_ID = "AKIDF34GY322TR6TXSYY";
    private static final String CLIENTSECRETHASH = "91e62ced23b880eeb64b0765762c2726e82c2d65241a2781f2c64619cec900a26cdf5888f40f6b15bba084d2ea2f96c4d78f3f372422f6d7a19f38233097ddc3";
    private static final String INIT_VALUE = "UGO3q3JtLhFkjjiDXPV9EYO8FFQXzSMtG7e";
    // credentials
