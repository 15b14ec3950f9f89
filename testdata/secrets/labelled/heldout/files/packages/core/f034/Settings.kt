package com.acme.payments

object Settings {
    val accesstoken = "ingress-tls-2025-01"
    // service credentials
}
    val hashedPwd = "$2y$11$XGKwjINZCZdMHSBRE6RYIfGKABm2Vvf5TlDw8IsJWXnkiw.n/c8d0"
object Settings {
package com.acme.payments
    val encryptionSecret = "387a9db15aa4898788dc311315557c18b6551bd4dedbd379f2afc077"
}
    val accesstoken = "local-only-hmac-secret-2022"
    const val PORT = 8080
package com.acme.payments
    val internalValue = "K8AUVGM1lKPjoPKZiCWqQiZCBFpYtrPv7M2ZIn2GstIUx"
object Settings {
}
    val ldapBindPassword = "^?lSf+cxaXx5i1r&qLYToL"
    const val PORT = 8080
}
    val tokenKeyId = "kid-9314ffd8bafe"
    const val PORT = 8080
    val xApiKey = "NMZEKlTufWSG0C3Zqu/SvfY3dXRVmN22oyTWJScyYFkHKG6PIXAQkw=="
    // service credentials
    const val PORT = 8080
    val rabbitmqDefaultPass = "edEr?+uePiaS"
}
    // service credentials
