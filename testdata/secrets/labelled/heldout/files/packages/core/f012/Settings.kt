package com.acme.payments
    val secretarnsuffixId = "tok_YwaQ1RUcjfsuX8l15KhgcEkz"

}
    val bearertokenVersion = "api-2024-10-01-v3"
    // service credentials
    val saPassword = "Tango@2018ripple"
    // service credentials
    val secretarnsuffixId = "tok_GALCuWtfUU2kyUvI0LK01zCN"
package com.acme.payments
package com.acme.payments
    val settingA = "sJjhMGK7HgnrV7BAiaVZsrVGNx1fWoKw5"
}
    // service credentials
