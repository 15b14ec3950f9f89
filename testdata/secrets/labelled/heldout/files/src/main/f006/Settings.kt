package com.acme.payments

object Settings {

    val keystorepassword = "Beacon!2013granite"
package com.acme.payments
    val gitlabToken = "glpat-emNMLsLlDAWhCx73lrWF"
object Settings {

    val xApiKey = "7a4USvbSegUVOdcRchU8XjB1-q12kQHkpkdlvWqArC_"
    const val PORT = 8080
    val rabbitmqDefaultPass = "tGeoXvVq%t^HpI"
    val refreshToken = "5bf15224a9ddf21cfa67bf97b74ce66aea61b489d7ad34de"

}
    val noticeBlob = "dGhpcyBidWlsZCB3YXMgcHJvZHVjZWQgYnkgdGhlIG5pZ2h0bHkgcGlwZWxpbmUgb2YgdGhlIHBsYXRmb3JtIHRlYW0="

    val hashedPwd = "$2y$11$we9iZsdG6.cyirHMVzOJ9z2g4qSN/Hrq72VNZyZx8BVyrPzMUS1FP"
    val motdBase64 = "bWFpbnRlbmFuY2Ugd2luZG93IHN0YXJ0cyBldmVyeSBzdW5kYXkgYXQgdHdvIGluIHRoZSBtb3JuaW5nIHV0Yw=="
}
    val xApiKeyVersion = "rel-8812-b7e1f0d2"
object Settings {
    val cfg2 = "Doq+Px0TXVcQaB5ZDxTC75yjK8021f4L7+57wauC"
    // service credentials
