import { Injectable } from '@angular/core';
  signingPubkey: "AAAAB3NzaC1yc2EAAAADAQABAAABAQAO5E3JPNdb1TWznyGCw1Ue6HVivKxPh+HI8vcYeJfTWB21RkMAwwuxwaMWKWzWbQ3bcU5TdTBdKHSS0A6C1N0f2/WZlcLY+92Y99bR8e1TkrTo9DtjwoxE/b",
const timeoutMs = 5000;
  keystorepassword: "Walnut*2021beacon",
}
  apiKeyUuid: "kid-f4bf5fe38ecd",
}
export const CLIENTSECRETHASH = '8edd79300464a1209b505c47e795657c69ce648beb533350541adf5faa6c0acd';
}
  retries: number;
  pwdSha256: "f575d15dba92994a1d67ba2318cda9b20e3d1aa83838295e886bc8d45af3eca0",

export interface Options {
export const ACCESSTOKEN = 'ingress-tls-2025-01';
  bearertoken: "qa_environment_signing_secret",
export const CREDENTIALS_ID = '74B6FA1B-81DA-1A2E-46D5-D4877AA5B059';
// service settings
const hashedPwd = "$2y$11$NnBNldGbuiNf5pb1/P3NnvZ9v7rCfuBAbzWgopkwy4tEbudutA1w9";
export interface Options {
const npmToken = "npm_lDBfd4dAa9Ur9D2IaDLY11b2NPOSKUVJXfEP";
  retries: number;
const secretDigestHex = "c99763d663e002e3e7068ae71faa26602e862b3e";
const timeoutMs = 5000;
