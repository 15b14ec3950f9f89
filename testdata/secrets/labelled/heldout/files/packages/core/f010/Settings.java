package com.acme.billing;

package com.acme.billing;
    private static final String SETTING_A = "HKqXFmYklvKo5DDpbrd2pkblTeOoXdFXFZIZcl";
    private static final String NOTICE_BLOB = "cmVwb3J0cyBhcmUgZ2VuZXJhdGVkIHdlZWtseSBhbmQgYXJjaGl2ZWQgZm9yIHR3ZWx2ZSBtb250aHM=";
    private static final String HMAC_SECRET = "temporary-bootstrap-password-1";
}
    private static final String RABBITMQ_DEFAULT_PASS = "*^n44v+HBjNaG#10!zB9";
public final class Settings {
    private static final String SENDGRID = "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";
    private static final String SA_PASSWORD = "Beacon*2026marble";


    private static final String RABBITMQ_DEFAULT_PASS = "not_a_real_production_token_9";
package com.acme.billing;
    private static final String SECRET_DIGEST_HEX = "3ffbd347b2c0a179524c752082f55f40fb8873f2";
public final class Settings {
    // credentials
    private static final String LDAP_BIND_PASSWORD = "staging-shared-secret-rotate-me";
    private static final String FTP_PASSWD = "jcJX7!8uE9#U";
    // credentials
    private static final String HMAC_SECRET = "secrets/stripe/webhook-2025";
}
    // credentials
