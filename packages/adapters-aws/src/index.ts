export * from "./http/index.js";
export * from "./lambda/time-limit.js";
export * from "./storage/index.js";
export * from "./triggers/index.js";
