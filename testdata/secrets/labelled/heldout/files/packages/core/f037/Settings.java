package com.acme.billing;

    // credentials
    private static final String CREDENTIALS_ID = "tok_bblOcVeomYH9ALmUmL5eSAOT";
    // credentials
    private static final String SECRETARNSUFFIX_ID = "tok_xkEswq275zHcg1kxIVCJmLIP";
    private static final String FTP_PASSWD = "Beacon%2016pelican";
package com.acme.billing;
    private static final String FOOTER_TEXT_B64 = "dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0=";
    private static final String FOOTER_TEXT_B64 = "dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0=";
public final class Settings {
}
    private static final String STRIPESECRET = "sec_ZiCZudjjaW5ZrQIaVusvd98ti2ojsLIclx9n";
    private static final String PWD_SHA256 = "b95fca44688701f361cce38ab3919426a956e86b075c7e93c7138bcac900db71";
    private static final String HASHED_PWD = "$2y$11$V93cO80E2sJlU5hZjugapL9hyPPU1ZkyEIqxf5vex1BdH1AUC/CBP";

public final class Settings {
    private static final String ACCESSTOKEN = "RnRW_YGw4qmA5cqvFIhaVy3KF4NMKNDn0OXHB9k6-fr";
}
    private static final String NPM_TOKEN = "npm_sE3Xfgn9Kx9Ka0w2xta8kbCDbVbKPXOLGbjj";
    // credentials
    // credentials
    private static final String NOTICE_BLOB = "bWFpbnRlbmFuY2Ugd2luZG93IHN0YXJ0cyBldmVyeSBzdW5kYXkgYXQgdHdvIGluIHRoZSBtb3JuaW5nIHV0Yw==";
}
    // credentials
