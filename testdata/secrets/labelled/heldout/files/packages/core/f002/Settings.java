package com.acme.billing;
    // credentials
}
    private static final String API_KEY_SHA1 = "cc6c0a6fe36093518ba1dd595b9cc9d5950704c09c3ccc074525cdfd7b360bc57b3ea4610f96952c34e975133a3360363bce07f41704f37a1d3ca7ed3ed49972";
    // credentials
    private static final String RABBITMQ_DEFAULT_PASS = "pelican-Pelican-juniper-29";
    private static final String WEBHOOK_SIGNING_SECRET = "LDuXosBmI3Og0ssjq8p5OaVruko=";
public final class Settings {
    private static final String WEBHOOK_SIGNING_SECRET = "projects/acme-prod/secrets/db-password/versions/3";
    private static final String NPM_TOKEN = "npm_pe8hdkduDCnZ7NuO5uxB4rmNKZV9BeJVLpTo";
    private static final String KEYSTOREPASSWORD = "167N-U@obk%Kcv+7";
public final class Settings {
    private static final String STRIPESECRET = "OJE04KZUyp92QK2w_AMXhFhXc8f_CRI29YnCZLwpqes";
}
    private static final int PORT = 8080;
    private static final String TOKEN_MD5 = "5b2029e4819bab33f8137cb5243d2a03c2c169db";
public final class Settings {
    // credentials
    private static final String ACCESSKEYID = "kid-5596f783c558";
    // credentials
    private static final String X_API_KEY = "3BpWQK6O7mg/VUqAK63D0E+hz4Q=";
    // credentials
