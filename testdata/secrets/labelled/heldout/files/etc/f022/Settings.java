package com.acme.billing;

    private static final String TOKEN_DIGEST_B64 = "RSFjJWXoqIoJFp6U7PWAGq+F143AlKhcCEH2X70LVd8=";
    private static final String GITLAB_TOKEN = "glpat-ZC1xkiD91sbhikHr3UN9";
    private static final String ENCRYPTION_SECRET = "P2IWaWNLhDedXZS02YGv+aQJsmk3aQvzzYvppPV3";
    // credentials
    private static final String RABBITMQ_DEFAULT_PASS = "qPCBI_ZSz*6JA=z#GI?*";
    // credentials
    private static final int PORT = 8080;
    private static final String OAUTH_CLIENT_SECRET = "kv/data/payments/stripe-live";
    private static final String SA_PASSWORD = "NQKpVSOim4LeMUsRvQ8Mp8pJP8bw";
    private static final String STRIPESECRET = "secret/data/ci/deploy-keys";
    private static final String HASHED_PWD = "$2y$11$E/v3pypSYljq17qTSkjxVCePdvgSK4mApKaupiWpSwsGMCkBeX.4z";
    private static final String BEARERTOKEN = "ingress-tls-2025-01";
    private static final int PORT = 8080;
    private static final String REFRESH_TOKEN = "not_a_real_production_token_9";
    // credentials
