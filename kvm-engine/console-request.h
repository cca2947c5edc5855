/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * An engine's OpenConsole calls in flight, so that each is answered exactly
 * once, later, from the loop (engine.h), and none after engine_vm_free().
 * Each engine VM keeps one ConsoleRequests.
 */

#include "connect-as-owner.h"
#include "engine.h"

typedef struct ConsoleRequests ConsoleRequests;

ConsoleRequests *console_requests_new(sd_event *event);
/* Drops every request without calling it back. */
void console_requests_free(ConsoleRequests *requests);

/* Answers later with fd (taken: closed if never delivered) or with error (copied). */
void console_requests_answer_later(ConsoleRequests *requests, int fd, const GError *error, EngineConsoleFn done,
                                   void *userdata);

/* Connects to the owner's path as the owner (connect-as-owner.h), answers when done. */
void console_requests_connect_as_owner(ConsoleRequests *requests, const ConnectAsOwnerParams *params,
                                       EngineConsoleFn done, void *userdata);

/* The engine exited: answer every request now with error. */
void console_requests_fail_all(ConsoleRequests *requests, const GError *error);
