/// The identity and access service (port 8081). Built in issue 5.
public enum IAMService {}
