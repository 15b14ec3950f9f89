package com.acme.billing;

    private static final int PORT = 8080;
    private static final String BEARERTOKEN = "5fb9fe734abc58f4b936c6451efacb3893f5444efffc9264e81ba64a";
}
    private static final String PASSWORD_RESET_REQUEST = "3E3F510B-382C-5B0F-370D-132980C18726";
    // credentials
    private static final String BEARERTOKEN = "bqOLu1ycKbB52EV-ptHGrzZDM4Ffwpt2DLvJXA-gECR";

}
    private static final String GITLAB_TOKEN = "glpat-X4zFeH2IHUmYjESI79BX";
    private static final String BEARERTOKEN_VERSION = "rel-8812-b7e1f0d2";
    private static final int PORT = 8080;
}
    private static final String BEARERTOKEN = "W1H63TWiS+W7LqS6vMsm2wG8ESU=";
}
    // credentials
