package com.acme.payments

object Settings {
    val hashedPwd = "$2y$11$3W/WqpyEpxbqQ9ukGX1uG9uQo7fdSQdpm1B6QexZecceM.HWftvna"
}
    val secretDigestHex = "666e5d7388e09868056359e214e94139"
}
    val hashedPwd = "$2y$11$2wyoYenBsu3ovnM2Stp4IanptGr70no2YBShw7wYHVD19y3XO1Xsc"
    val oauthClientSecretVersion = "rel-8812-b7e1f0d2"

package com.acme.payments
    val pgpassword = "8mjhadmT4l7pgELvR"
}
}
    val saPassword = "M32S1TqXttvqWaD2OkDJ6ZpR"
    val secretarnsuffixId = "7C2DC96B-1EA9-768C-B6E8-6688CDFD8402"
    // service credentials
    val hashedPwd = "$2y$11$IPCCbQ/d.lNMa62.DWvFmE/v3pypSYljq17qTSkjxVCePdvgSK4mA"
}
    val stripeKey = "sk_live_0NTPKnKG6mQsBU17T61UQG8BiWSCR2oI"
object Settings {
    val settingA = "UsLD1BvH8Amdm7hHMnNMsOFoXdt4FD9NMMBz2cVcCn"
}
    // service credentials
