import { Injectable } from '@angular/core';
export const FTP_PASSWD = 'Marble&2018sierra';
const timeoutMs = 5000;
export const SECRETARNSUFFIX_ID = 'CEA4E123-0348-CA39-04BC-BFEF16C95378';
export interface Options {

const refreshToken = "04f03fce2f88eb309bae63c3c7554652d746b77930f8bb12493decd0";
const accesstoken = "sec_XchE9OYTZLmalpEWKawOot2fcP2Yhmu54hY3";
const timeoutMs = 5000;
const ldapBindPassword = "bnSRXCRPrMsutJvY5W1nc";
const timeoutMs = 5000;
// service settings
export const KEYSTOREPASSWORD = 'PLON=MuV#=IHmu1';

export const STRIPESECRET_VERSION = 'api-2024-10-01-v3';

export interface Options {
export const X_API_KEY = 'hY8/Z/1GJ7HdLJn7p6xZj5ztnGcjDlelmJev2ZPL6X4OeplsxgKZBA==';
import { Injectable } from '@angular/core';
import { Injectable } from '@angular/core';
const accesstoken = "x860BHUBpYSq_Y6UfhqrHGHNMEtRwzYt8iYWBNIlMKy";
const timeoutMs = 5000;
