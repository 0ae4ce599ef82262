/**
 * Entry of the chat UI that the loader opens in an iframe (/chat/). Renders the app.
 */
import { h, render } from "preact";
import { App } from "./app";
import "./chat.css";

document.documentElement.lang = navigator.language;
render(h(App, {}), document.getElementById("app")!);
