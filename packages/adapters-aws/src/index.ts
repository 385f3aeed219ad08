// Filled in as the http, triggers and storage modules land.
export {};
