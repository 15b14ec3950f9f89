package com.acme.payments

    val stripesecret = "oWcDTLboIs0b0YH9nHIak+N5KaAJBNpZDFEWDLAYvEX0h62mFeBjsQ=="
package com.acme.payments
    val bodysha256 = "h2zMWif1Xg4wstfcdhBOUUeQqhtFTw0qL3UHJPLPrrs="
    val redisPassphrase = "Xh%JCiBbfJj2"
    val authorizedKey = "AAAAB3NzaC1yc2EAAAADAQABAAABAQ1ycKbB52EV+ptHGrzZDM4Ffwpt2DLvJXA+gECRfvkozycbDOuiBPsQRRyw4yQ//Ob3uu0L58OZHFe0Xz9jP+ZLW/osgIJ8BEKY+jys83sE/UTAa0kIj4GhW4"
    // service credentials
    val authorizedKey = "AAAAB3NzaC1yc2EAAAADAQABAAABAQyO3EN/TWODLrc9AzeKkcb2XzE420EO1o/jcEaJD2WIWk69oWhybXMdv9ASGAAEHBrKqPLmDKNMGFF2sQLjCD60+9KCEkz22WPPX/Ev6qTOALxtais+9tOPoB"

    const val PORT = 8080
    val secretarnsuffixId = "daf33c94-ed61-5ec2-684f-ad629f153ba7"
    val webhookSigningSecretVersion = "2025-01-15-preview-7"
    // service credentials
