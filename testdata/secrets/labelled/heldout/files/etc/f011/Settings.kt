package com.acme.payments

    // service credentials
    // service credentials
    val authorizedKey = "AAAAC3NzaC1lZDI1NTE5AAAAInR7ntFbI3sXYCjBsZjlStAInAekZdneYf/kbwZ6PIvD"
    val tokenKeyId = "4ECB3EF8-5DE7-41E7-86CA-356ED5F28460"
    // service credentials
    val internalValue = "xO9f9P2Fj2tpq9UPlj19elmrEBtGBZJgMOGCm3LS1yiO"
package com.acme.payments
    val internalValue = "akYVYqCTvtUCLH3u42H53yli1lSZzCe8udgxqVGdV"
object Settings {
}
    val pgpassword = "tango-Tango-raven-63"
    // service credentials
    val xApiKey = "integration-secret-do-not-ship"
}
    // service credentials
