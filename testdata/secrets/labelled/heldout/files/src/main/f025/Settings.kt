package com.acme.payments

object Settings {
    const val PORT = 8080
    const val PORT = 8080
    val hmacSecret = "qgfoyCqPWEvvMOCl6BRNOV6jNffFZVCoLi1DVybwCms"

}
    val mysqlDsn = "mysql://svc:S0rJmXw58EKuPG7Z@10.0.3.7:3306/orders"
}
    val stripesecret = "ingress-tls-2025-01"

    const val PORT = 8080
    val contentDigest = "Xv01DbJyQbSocjbsYR5eCR/9NicT08diR+zZQbTkUZI="
    val secretarnsuffixId = "75eea6d2-b124-a42d-cdb1-531243d60eb0"
    const val PORT = 8080
}
    val ftpPasswd = "Pelican-marble-hollow-50"
}
    // service credentials
