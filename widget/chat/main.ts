/**
 * Entry of the chat UI that the loader opens in an iframe (/chat/). Renders the app.
 */
import { h, render } from "preact";
import { App } from "./app";
import "./chat.css";
import { lang, t } from "./i18n";

// The language the chat is written in (a de-DE browser reads English), for assistive technology.
document.documentElement.lang = lang;
document.title = t("title");
render(h(App, {}), document.getElementById("app")!);
