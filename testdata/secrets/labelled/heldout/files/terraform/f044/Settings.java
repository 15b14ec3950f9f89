package com.acme.billing;

    private static final String CLIENTSECRETHASH = "295427ca96cbb4eccc4a5b2cc0ebc76e";
    private static final String FTP_PASSWD = "Thistle-cinder-nebula-12";
public final class Settings {
    private static final String API_KEY_SHA1 = "3eebd8fc1b4c0f7782218fba092882dbbd5a59fab5e94ba8a54f834dad3dfa26dbf48ba249aefd8af8a7087d1ef683e0c2d7aca559f5129bd0f16aacba829af2";
    private static final String SENDGRID = "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";
}
    // credentials
    private static final String CLIENTSECRETHASH = "c4ad5bc967b525e654cd3154eced304a21fb66e2";
public final class Settings {
    private static final String DATABASE_URL = "postgres://app:f6BGVjxg5ZfTdyrv0C@db.internal:5432/app";
    private static final String REFRESH_TOKEN = "live_3zXYMIwdHPdA1kLqfOOZjP3FC5KCtsnepSyQ";
    private static final String OAUTH_CLIENT_SECRET = "325d6290132d04cf600029428740b622a6288f0ee89f8583";
}
    private static final String OAUTH_CLIENT_SECRET_VERSION = "api-2024-10-01-v3";
    private static final String GITLAB_TOKEN = "glpat-rJLnka1Olo9YNmgHEdFa";
}
    // credentials
