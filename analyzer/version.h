/* SPDX-License-Identifier: MIT */
/* The one place the version and the JSON report's schema are named. */
#ifndef TW_VERSION_H
#define TW_VERSION_H

#define TW_VERSION "0.2.0"
/* Bumped whenever a JSON field changes meaning or type. */
#define TW_JSON_SCHEMA 2

#endif
