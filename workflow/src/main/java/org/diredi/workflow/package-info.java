/**
 * End-to-end DiReDi runs built from the library's steps: {@code experiment} (a spec as data, the
 * staged and cached runner, the Table III report) and {@code demo} (the whole loop on one machine, set up by the README's deployment steps).
 * The CLI parses options and calls these.
 */
package org.diredi.workflow;
